// The menu: the pages in five groups (counter, customers, marketing, analytics, settings). On a
// tablet it is a side rail, so it never wraps and the page keeps the whole height; on a phone it
// is one row that scrolls sideways between the mark and the language.
import { useEffect, useRef } from "preact/hooks";
import type { Me } from "../api";
import { t, type MessageKey } from "../i18n";
import { linkClick } from "../router";
import { isManager } from "../session";

interface Link {
  href: string;
  label: MessageKey;
  show: boolean;
}

function groups(me: Me): { title: MessageKey; links: Link[] }[] {
  const manager = isManager(me);
  const owner = me.role === "owner";
  return [
    {
      title: "nav.group.counter",
      links: [
        { href: "/", label: "nav.counter", show: true },
        { href: "/office/tasks", label: "nav.tasks", show: true },
        { href: "/kiosk", label: "nav.kiosk", show: true },
      ],
    },
    {
      title: "nav.group.customers",
      links: [
        { href: "/office/customers", label: "nav.customers", show: true },
        { href: "/office/duplicates", label: "nav.duplicates", show: me.role !== "staff" },
        { href: "/office/import", label: "nav.import", show: me.role !== "staff" },
      ],
    },
    {
      title: "nav.group.marketing",
      links: [
        { href: "/office/campaigns", label: "nav.campaigns", show: manager },
        { href: "/office/automations", label: "nav.automations", show: true },
        { href: "/office/outbox", label: "nav.outbox", show: manager },
      ],
    },
    {
      title: "nav.group.analytics",
      links: [{ href: "/office/analytics", label: "nav.analytics", show: manager }],
    },
    {
      title: "nav.group.settings",
      links: [
        { href: "/office/loyalty", label: "nav.loyalty", show: owner },
        { href: "/office/team", label: "nav.team", show: true },
        { href: "/office/access-log", label: "nav.accessLog", show: owner },
        { href: "/account", label: "nav.account", show: true },
      ],
    },
  ];
}

export function Nav({ me, path, langSwitch }: { me: Me; path: string; langSwitch: preact.ComponentChildren }) {
  const active = (href: string) =>
    href === "/" ? path === "/" || path === "/counter" : path === href || path.startsWith(`${href}/`);
  const navRef = useRef<HTMLElement>(null);
  // On a phone the bar scrolls sideways: keep the current page's link in sight.
  useEffect(() => {
    const current = navRef.current?.querySelector<HTMLElement>('a[aria-current="page"]');
    const bar = navRef.current;
    if (!current || !bar || bar.scrollWidth <= bar.clientWidth) return;
    bar.scrollLeft = current.offsetLeft - bar.offsetLeft - (bar.clientWidth - current.offsetWidth) / 2;
  }, [path]);
  return (
    <header class="topbar">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          단
        </span>
        <span class="brand-name">{me.business.name}</span>
      </div>
      <nav aria-label={t("nav.main")} class="nav-groups" ref={navRef}>
        {groups(me).map((group) => {
          const links = group.links.filter((link) => link.show);
          if (links.length === 0) return null;
          const id = `nav-${group.title.replace(/\./g, "-")}`;
          return (
            <div class="nav-group" key={group.title}>
              <p class="nav-group-title" id={id}>
                {t(group.title)}
              </p>
              <ul class="nav" aria-labelledby={id}>
                {links.map((link) => (
                  <li key={link.href}>
                    <a href={link.href} onClick={linkClick} aria-current={active(link.href) ? "page" : undefined}>
                      {t(link.label)}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <div class="topbar-end">{langSwitch}</div>
    </header>
  );
}
