// The counter screen: find a customer by the last 4 digits, phone, name or initials on a big
// keypad, choose one from the masked pick list, see the card with alerts first, and act on it.
import { RedeemButton } from "../components/redeem_button";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  api,
  errorKey,
  type Branch,
  type Customer,
  type LookupResult,
  type Note,
  type Order,
  type OrderWithLoyalty,
  type Page,
  type PreferenceKind,
  type ProspectProgress,
  type SaleLoyalty,
  type CounterAction,
  type UndoResult,
} from "../api";
import { ago, date, t, won, number, objectParticle } from "../i18n";
import { useSession } from "../session";
import { Field, StageBadge, StatusLine, useWrite, type Notice } from "../components/ui";
import { CouponList, LoyaltySummary, RedeemForm, SaleResult, useLoyalty } from "../components/loyalty";
import { CustomerTasks } from "../components/tasks";

type Panel = "order" | "note" | "preference" | "redeem" | "newCustomer" | "prospect" | null;

const branchStorageKey = "dangol.branch";

export function Counter() {
  const { me } = useSession();
  const [query, setQuery] = useState("");
  const [result, setResult] = useState<LookupResult | null>(null);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [notes, setNotes] = useState<Note[]>([]);
  const [orders, setOrders] = useState<Order[]>([]);
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [branches, setBranches] = useState<Branch[]>([]);
  const [branchId, setBranchId] = useState<number | null>(null);
  const [progress, setProgress] = useState<ProspectProgress | null>(null);
  // What the last order on the open card earned; cleared when another card opens.
  const [sale, setSale] = useState<SaleLoyalty | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const resultRef = useRef<HTMLElement>(null);
  // On a phone the keypad fills the screen: bring a new pick list or card into view.
  useEffect(() => {
    if ((result || customer) && window.matchMedia("(max-width: 720px)").matches) {
      resultRef.current?.scrollIntoView({ block: "start" });
    }
  }, [result, customer?.id]);

  useEffect(() => {
    api.get<Page<Branch>>("/branches").then((page) => {
      const allowed = me.staff?.branch_ids.length
        ? page.items.filter((b) => me.staff!.branch_ids.includes(b.id))
        : page.items;
      setBranches(allowed);
      const stored = Number(localStorage.getItem(branchStorageKey));
      setBranchId(allowed.find((b) => b.id === stored)?.id ?? allowed[0]?.id ?? null);
    });
    loadProgress();
  }, []);

  const loadProgress = () =>
    api
      .get<Page<ProspectProgress>>("/prospects/progress")
      .then((page) => setProgress(page.items.find((p) => p.staff_id === me.staff?.id) ?? null))
      .catch(() => setProgress(null));

  const search = async (text = query) => {
    const q = text.trim();
    if (!q) return;
    setNotice(null);
    try {
      setResult(await api.get<LookupResult>(`/customers/lookup?q=${encodeURIComponent(q)}&limit=20`));
      setCustomer(null);
      setPanel(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };

  // Opens (or, after an action, refreshes) a customer's card.
  const open = async (id: number, keepNotice = false) => {
    if (!keepNotice) setNotice(null);
    try {
      const [full, notePage, orderPage] = await Promise.all([
        api.get<Customer>(`/customers/${id}`),
        api.get<Page<Note>>(`/customers/${id}/notes`),
        api.get<Page<Order>>(`/customers/${id}/orders?limit=30`),
      ]);
      if (full.id !== customer?.id) setSale(null);
      setCustomer(full);
      setNotes(notePage.items);
      setOrders(orderPage.items);
      setPanel(null);
    } catch (error) {
      setNotice({ kind: "error", text: t(errorKey(error)) });
    }
  };

  const press = (key: string) => {
    const next = key === "back" ? query.slice(0, -1) : key === "clear" ? "" : query + key;
    setQuery(next);
    if (key === "clear") {
      setResult(null);
      setCustomer(null);
    }
    // Four digits on the keypad are the usual lookup: search at once.
    if (/^\d{4}$/.test(next) && key !== "back" && key !== "clear") search(next);
    searchRef.current?.focus();
  };

  const chooseBranch = (id: number) => {
    setBranchId(id);
    localStorage.setItem(branchStorageKey, String(id));
  };

  const done = (text: string) => setNotice({ kind: "ok", text });
  // A new form starts clean: the last action's message belongs to the last action.
  const choosePanel = (next: Panel) => {
    setNotice(null);
    if (next) setSale(null);
    setPanel(next);
  };

  return (
    <div class="counter">
      <section class="counter-left" aria-label={t("counter.searchLabel")}>
        <div class="counter-meta">
          {branches.length > 1 ? (
            <label class="inline-field">
              <span>{t("counter.branch")}</span>
              <select
                value={branchId ?? ""}
                onChange={(e) => chooseBranch(Number(e.currentTarget.value))}
                data-testid="branch"
              >
                {branches.map((b) => (
                  <option value={b.id} key={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span>{branches[0]?.name}</span>
          )}
          {progress ? (
            <span class="goal" data-testid="goal">
              {t("counter.goal", { today: progress.today, goal: progress.goal })}
            </span>
          ) : null}
        </div>
        <form
          class="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            search();
          }}
        >
          <label class="sr-only" for="lookup">
            {t("counter.searchLabel")}
          </label>
          <input
            id="lookup"
            ref={searchRef}
            type="search"
            inputMode="text"
            autocomplete="off"
            placeholder={t("counter.search")}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
          <button class="button primary" type="submit">
            {t("counter.find")}
          </button>
        </form>
        <Keypad onPress={press} />
        <div class="quick-actions">
          <button class="button" type="button" onClick={() => choosePanel("newCustomer")}>
            {t("action.newCustomer")}
          </button>
          <button class="button" type="button" onClick={() => choosePanel("prospect")}>
            {t("action.prospect")}
          </button>
        </div>
      </section>

      <section class="counter-right" aria-live="polite" ref={resultRef}>
        <StatusLine notice={notice} />
        {panel === "newCustomer" ? (
          <NewCustomerForm
            initialPhone={/^[\d\s+-]{9,}$/.test(query) ? query : ""}
            onCancel={() => setPanel(null)}
            onCreated={(created) => {
              done(t("newCustomer.done"));
              open(created.id, true);
            }}
          />
        ) : panel === "prospect" ? (
          <ProspectForm
            branchId={branchId}
            onCancel={() => setPanel(null)}
            onSaved={() => {
              setPanel(null);
              done(t("prospect.done"));
              loadProgress();
            }}
          />
        ) : customer ? (
          <CustomerCard
            customer={customer}
            notes={notes}
            orders={orders}
            panel={panel}
            setPanel={choosePanel}
            branchId={branchId}
            sale={sale}
            onChanged={(text, loyalty) => {
              done(text);
              setSale(loyalty ?? null);
              open(customer.id, true);
            }}
            onClose={() => setCustomer(null)}
          />
        ) : result ? (
          <PickList result={result} onPick={open} onRegister={() => choosePanel("newCustomer")} />
        ) : (
          <p class="empty">{t("counter.empty")}</p>
        )}
      </section>
    </div>
  );
}

function Keypad({ onPress }: { onPress: (key: string) => void }) {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"];
  return (
    <div class="keypad" role="group" aria-label={t("counter.keypad")}>
      {keys.map((key) => (
        <button
          key={key}
          type="button"
          class={`key ${key.length > 1 ? "key-fn" : ""}`}
          onClick={() => onPress(key)}
          aria-label={key === "back" ? t("counter.backspace") : key === "clear" ? t("counter.clear") : key}
        >
          {key === "back" ? "⌫" : key === "clear" ? "C" : key}
        </button>
      ))}
    </div>
  );
}

function PickList({
  result,
  onPick,
  onRegister,
}: {
  result: LookupResult;
  onPick: (id: number) => void;
  onRegister: () => void;
}) {
  if (result.items.length === 0) {
    return (
      <div class="card pick-empty">
        <p>{t("counter.noMatch")}</p>
        <button class="button primary" type="button" onClick={onRegister}>
          {t("counter.registerThis")}
        </button>
      </div>
    );
  }
  return (
    <div class="pick">
      <h2>
        {t("counter.pickTitle", { count: result.items.length })}{" "}
        <span class="muted small">· {t(`counter.matchedBy.${result.matched_by}`)}</span>
      </h2>
      <ul class="pick-list" data-testid="pick-list">
        {result.items.map((hit) => (
          <li key={hit.id}>
            <button type="button" class="pick-item" onClick={() => onPick(hit.id)}>
              <span class="pick-name">{hit.name || t("counter.noName")}</span>
              <span class="pick-phone">{hit.phone}</span>
              <span class="pick-meta">
                <StageBadge stage={hit.stage} /> {hit.tier ? <span class="badge">{hit.tier}</span> : null}{" "}
                {t("card.visitsValue", { count: number(hit.visit_count) })} ·{" "}
                {hit.last_visit_at ? ago(hit.last_visit_at) : t("card.never")}
              </span>
              {hit.alerts.length ? (
                <span class="pick-alerts">
                  {hit.alerts.map((a) => (
                    <span class="alert-chip" key={a.id}>
                      ⚠ {t(`pref.${a.kind}`)}: {a.subject}
                    </span>
                  ))}
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

// A birthday or anniversary whose month and day fall within the next 7 days (or today).
function thisWeek(isoDate: string): boolean {
  const [, month, day] = isoDate.split("-").map(Number);
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  for (const year of [today.getFullYear(), today.getFullYear() + 1]) {
    const next = new Date(year, month - 1, day);
    const days = (next.getTime() - today.getTime()) / 86_400_000;
    if (days >= 0 && days < 7) return true;
  }
  return false;
}

function usualOrders(orders: Order[]): string[] {
  const counts = new Map<string, number>();
  for (const order of orders) {
    if (order.kind !== "sale") continue;
    for (const line of order.lines) counts.set(line.product, (counts.get(line.product) ?? 0) + (line.quantity ?? 1));
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([product]) => product);
}

type Suggestion = { product: string; because: string[]; confidence: number; lift: number; support_count: number };

// "Customers who order X often add Y": loaded after the card, so it never delays it; shows
// nothing while loading, when there is nothing to suggest, or when the request fails.
function OftenAdded(props: { customerId: number; version: unknown }) {
  const [items, setItems] = useState<Suggestion[]>([]);
  useEffect(() => {
    let live = true;
    setItems([]);
    api
      .get<{ items: Suggestion[] }>(`/customers/${props.customerId}/suggestions`)
      .then((answer) => live && setItems(answer.items.slice(0, 3)))
      .catch(() => live && setItems([]));
    return () => {
      live = false;
    };
  }, [props.customerId, props.version]);
  if (!items.length) return null;
  return (
    <section class="card-section often-added" aria-labelledby="often-added-title" data-testid="often-added">
      <h3 id="often-added-title">{t("card.oftenAdded")}</h3>
      <ul class="notes">
        {items.map((s) => (
          <li key={s.product}>
            {t("card.oftenAddedItem", {
              because: s.because.join(", "),
              product: s.product,
              object: objectParticle(s.product),
              percent: Math.round(s.confidence * 100),
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}

function CustomerCard(props: {
  customer: Customer;
  notes: Note[];
  orders: Order[];
  panel: Panel;
  setPanel: (panel: Panel) => void;
  branchId: number | null;
  sale: SaleLoyalty | null;
  onChanged: (text: string, loyalty?: SaleLoyalty | null) => void;
  onClose: () => void;
}) {
  const { customer, notes, orders, panel, setPanel } = props;
  const [refresh, setRefresh] = useState(0);
  const { account, program } = useLoyalty(customer.id, customer, refresh);
  const pinned = notes.filter((n) => n.pinned);
  const usual = usualOrders(orders);
  const likes = customer.preferences.filter((p) => p.kind === "like" || p.kind === "dislike");
  const birthdaySoon = customer.birthday && thisWeek(customer.birthday.date);
  const anniversaries = customer.anniversaries.filter((a) => thisWeek(a.date));

  return (
    <article class="card customer-card" data-testid="customer-card" aria-labelledby="card-name">
      {customer.alerts.length ? (
        <div class="alerts" role="alert" data-testid="alerts">
          {customer.alerts.map((a) => (
            <div class="alert-line" key={a.id}>
              <strong>⚠ {t(`pref.${a.kind}`)}</strong> {a.subject}
            </div>
          ))}
        </div>
      ) : null}
      {props.sale ? <SaleResult loyalty={props.sale} /> : null}
      <header class="card-head">
        <div>
          <h2 id="card-name">{customer.name || t("counter.noName")}</h2>
          <p class="muted">
            {customer.phone_masked} · <StageBadge stage={customer.stage} />
          </p>
        </div>
        <button class="button ghost" type="button" onClick={props.onClose} aria-label={t("card.close")}>
          ✕
        </button>
      </header>
      <dl class="stats">
        <div>
          <dt>{t("card.visits")}</dt>
          <dd>{t("card.visitsValue", { count: number(customer.visit_count) })}</dd>
        </div>
        <div>
          <dt>{t("card.lastVisit")}</dt>
          <dd>{customer.last_visit_at ? `${date(customer.last_visit_at)} (${ago(customer.last_visit_at)})` : t("card.never")}</dd>
        </div>
        <div>
          <dt>{t("card.spend")}</dt>
          <dd>{won(customer.total_spend)}</dd>
        </div>
      </dl>
      {account ? <LoyaltySummary account={account} program={program} /> : null}
      {account ? (
        <CouponList
          coupons={account.coupons}
          customerId={customer.id}
          branchId={props.branchId}
          onUsed={(text) => props.onChanged(text)}
        />
      ) : null}
      <CustomerTasks customerId={customer.id} given={customer.open_tasks} onChanged={(text) => props.onChanged(text)} />
      {birthdaySoon || anniversaries.length ? (
        <div class="celebrate">
          {birthdaySoon ? <p>{t("card.birthdayWeek", { date: customer.birthday!.date.slice(5) })}</p> : null}
          {anniversaries.map((a) => (
            <p key={a.date}>{t("card.anniversaryWeek", { label: a.label ?? "", date: a.date.slice(5) })}</p>
          ))}
        </div>
      ) : null}
      {pinned.length ? (
        <section class="card-section" aria-labelledby="pinned-title">
          <h3 id="pinned-title">{t("card.pinned")}</h3>
          <ul class="notes">
            {pinned.map((n) => (
              <li key={n.id}>{n.text}</li>
            ))}
          </ul>
        </section>
      ) : null}
      {usual.length || likes.length ? (
        <section class="card-section two">
          {usual.length ? (
            <div>
              <h3>{t("card.usual")}</h3>
              <p>{usual.join(", ")}</p>
            </div>
          ) : null}
          {likes.length ? (
            <div>
              <h3>{t("card.likes")}</h3>
              <p class="chips">
                {likes.map((p) => (
                  <span class={`chip chip-${p.kind}`} key={p.id}>
                    {t(`pref.${p.kind}`)}: {p.subject}
                  </span>
                ))}
              </p>
            </div>
          ) : null}
        </section>
      ) : null}
      <OftenAdded customerId={customer.id} version={customer} />
      <UndoBar customer={customer} unit={account?.unit ?? ""} onUndone={(text) => props.onChanged(text)} />
      <div class="actions">
        <button class="button primary big" type="button" onClick={() => setPanel("order")} aria-pressed={panel === "order"}>
          {t("action.order")}
        </button>
        <button class="button big" type="button" onClick={() => setPanel("note")} aria-pressed={panel === "note"}>
          {t("action.note")}
        </button>
        <button class="button big" type="button" onClick={() => setPanel("preference")} aria-pressed={panel === "preference"}>
          {t("action.preference")}
        </button>
        {account && account.unit ? (
          <RedeemButton account={account} program={program} pressed={panel === "redeem"} onPress={() => setPanel("redeem")} />
        ) : null}
      </div>
      {panel === "order" ? (
        <OrderForm customerId={customer.id} branchId={props.branchId} onCancel={() => setPanel(null)} onDone={props.onChanged} />
      ) : panel === "note" ? (
        <NoteForm customerId={customer.id} branchId={props.branchId} onCancel={() => setPanel(null)} onDone={props.onChanged} />
      ) : panel === "preference" ? (
        <PreferenceForm customerId={customer.id} onCancel={() => setPanel(null)} onDone={props.onChanged} />
      ) : panel === "redeem" && account ? (
        <RedeemForm
          account={account}
          program={program}
          customerId={customer.id}
          branchId={props.branchId}
          onCancel={() => setPanel(null)}
          onDone={(text) => props.onChanged(text)}
          onRefused={() => setRefresh((n) => n + 1)}
        />
      ) : null}
    </article>
  );
}

// What an action is, in the staff's language: "주문 12,000원", "메모 “창가 자리”".
function describeAction(action: CounterAction, unit: string): string {
  const amount =
    action.kind === "order" ? won(action.amount) : unit ? `${number(action.amount)} ${t(`unit.name.${unit}` as "unit.name.points")}` : number(action.amount);
  const label = action.label.length > 24 ? `${action.label.slice(0, 24)}…` : action.label;
  return t(`undo.kind.${action.kind}`, { amount, label });
}

// The undo of the last action of today: one tap shows what would be undone and asks; the second
// undoes it. The server decides what may be undone (own actions, today), so the bar shows only
// what GET /last-action answers, and a refusal is explained from its reason code.
function UndoBar(props: { customer: Customer; unit: string; onUndone: (text: string) => void }) {
  const [action, setAction] = useState<CounterAction | null>(null);
  const [confirming, setConfirming] = useState(false);
  const write = useWrite();
  useEffect(() => {
    setConfirming(false);
    api
      .get<{ action: CounterAction | null }>(`/customers/${props.customer.id}/last-action`)
      .then((answer) => setAction(answer.action))
      .catch(() => setAction(null));
  }, [props.customer]);
  if (!action) return null;
  const what = describeAction(action, props.unit);
  const undo = async () => {
    const result = await write.run((options) =>
      api.post<UndoResult>(`/customers/${props.customer.id}/undo`, { kind: action.kind, id: action.id }, options),
    );
    setConfirming(false);
    if (!result) return;
    // Hidden until the card reloads and says what (if anything) may be undone next.
    setAction(null);
    props.onUndone(t("undo.done", { what }));
  };
  return (
    <div class="undo" data-testid="undo">
      {confirming ? (
        <div class="undo-confirm" role="alertdialog" aria-labelledby="undo-question">
          <p id="undo-question">{t("undo.confirm", { what })}</p>
          {action.kind === "order" ? <p class="muted small">{t("undo.orderHint")}</p> : null}
          <div class="form-buttons">
            <button class="button danger" type="button" disabled={write.busy} onClick={undo} data-testid="undo-yes">
              {t("undo.yes")}
            </button>
            <button class="button" type="button" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </button>
          </div>
        </div>
      ) : (
        <button class="button ghost undo-button" type="button" onClick={() => setConfirming(true)} data-testid="undo-button">
          ↶ {t("undo.button", { what })}
        </button>
      )}
      <StatusLine notice={write.notice} />
    </div>
  );
}

function FormButtons({ busy, submit, onCancel }: { busy: boolean; submit: string; onCancel: () => void }) {
  return (
    <div class="form-buttons">
      <button class="button primary big" type="submit" disabled={busy}>
        {submit}
      </button>
      <button class="button big" type="button" onClick={onCancel}>
        {t("common.cancel")}
      </button>
    </div>
  );
}

function OrderForm(props: {
  customerId: number;
  branchId: number | null;
  onCancel: () => void;
  onDone: (text: string, loyalty: SaleLoyalty | null) => void;
}) {
  const [amount, setAmount] = useState("");
  const [product, setProduct] = useState("");
  const write = useWrite();
  const submit = async (event: Event) => {
    event.preventDefault();
    const total = Number(amount.replace(/[^\d]/g, ""));
    if (!total || props.branchId === null) {
      write.setNotice({ kind: "error", text: t("order.amountInvalid") });
      return;
    }
    const body = {
      branch_id: props.branchId,
      customer_id: props.customerId,
      channel: "counter",
      total,
      lines: product.trim() ? [{ product: product.trim(), quantity: 1, unit_price: total }] : [],
    };
    const order = await write.run((options) => api.post<OrderWithLoyalty>("/orders", body, options));
    if (order) props.onDone(t("order.done", { amount: won(order.total) }), order.loyalty ?? null);
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="order-title">
      <h3 id="order-title">{t("order.title")}</h3>
      <div class="row">
        <Field label={t("order.amount")}>
          <input
            name="amount"
            inputMode="numeric"
            autocomplete="off"
            required
            value={amount}
            onInput={(e) => setAmount(e.currentTarget.value)}
          />
        </Field>
        <Field label={t("order.product")}>
          <input name="product" autocomplete="off" value={product} onInput={(e) => setProduct(e.currentTarget.value)} />
        </Field>
      </div>
      <StatusLine notice={write.notice} />
      <FormButtons busy={write.busy} submit={t("order.submit")} onCancel={props.onCancel} />
    </form>
  );
}

function NoteForm(props: { customerId: number; branchId: number | null; onCancel: () => void; onDone: (text: string) => void }) {
  const [text, setText] = useState("");
  const [pinned, setPinned] = useState(false);
  const write = useWrite();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return;
    const body: Record<string, unknown> = { text: text.trim(), pinned };
    if (props.branchId !== null) body.branch_id = props.branchId;
    const note = await write.run((options) => api.post<Note>(`/customers/${props.customerId}/notes`, body, options));
    if (note) props.onDone(t("note.done"));
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="note-title">
      <h3 id="note-title">{t("note.title")}</h3>
      <Field label={t("note.text")}>
        <textarea name="note" rows={3} required placeholder={t("note.hint")} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </Field>
      <label class="check">
        <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.currentTarget.checked)} /> {t("note.pin")}
      </label>
      <StatusLine notice={write.notice} />
      <FormButtons busy={write.busy} submit={t("common.save")} onCancel={props.onCancel} />
    </form>
  );
}

export function PreferenceForm(props: { customerId: number; onCancel: () => void; onDone: (text: string) => void }) {
  const [kind, setKind] = useState<PreferenceKind>("like");
  const [subject, setSubject] = useState("");
  const write = useWrite();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!subject.trim()) return;
    const saved = await write.run((options) =>
      api.post(`/customers/${props.customerId}/preferences`, { kind, subject: subject.trim() }, options),
    );
    if (saved) props.onDone(t("pref.added"));
  };
  return (
    <form class="panel" onSubmit={submit}>
      <div class="row">
        <Field label={t("pref.kind")}>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as PreferenceKind)}>
            {(["like", "dislike", "allergy", "never"] as const).map((k) => (
              <option value={k} key={k}>
                {t(`pref.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("pref.subject")}>
          <input name="subject" required placeholder={t("pref.subjectHint")} value={subject} onInput={(e) => setSubject(e.currentTarget.value)} />
        </Field>
      </div>
      <StatusLine notice={write.notice} />
      <FormButtons busy={write.busy} submit={t("common.add")} onCancel={props.onCancel} />
    </form>
  );
}

function NewCustomerForm(props: { initialPhone: string; onCancel: () => void; onCreated: (customer: Customer) => void }) {
  const [phone, setPhone] = useState(props.initialPhone);
  const [name, setName] = useState("");
  const write = useWrite();
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { phone: phone.trim(), source: "counter" };
    if (name.trim()) body.name = name.trim();
    const created = await write.run((options) => api.post<Customer>("/customers", body, options));
    if (created) props.onCreated(created);
    else if (write.notice === null) return;
  };
  return (
    <form class="card panel" onSubmit={submit} aria-labelledby="new-title">
      <h2 id="new-title">{t("newCustomer.title")}</h2>
      <Field label={t("newCustomer.phone")}>
        <input name="phone" type="tel" inputMode="tel" autocomplete="off" required value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
      </Field>
      <Field label={t("newCustomer.name")}>
        <input name="name" autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <StatusLine notice={write.notice} />
      <FormButtons busy={write.busy} submit={t("common.save")} onCancel={props.onCancel} />
    </form>
  );
}

function ProspectForm(props: { branchId: number | null; onCancel: () => void; onSaved: () => void }) {
  const [name, setName] = useState("");
  const [phone, setPhone] = useState("");
  const [howMet, setHowMet] = useState("");
  const [liked, setLiked] = useState("");
  const write = useWrite();
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { name: name.trim(), how_met: howMet.trim(), liked: liked.trim() };
    if (phone.trim()) body.phone = phone.trim();
    if (props.branchId !== null) body.branch_id = props.branchId;
    const saved = await write.run((options) => api.post("/prospects", body, options));
    if (saved) props.onSaved();
  };
  return (
    <form class="card panel" onSubmit={submit} aria-labelledby="prospect-title">
      <h2 id="prospect-title">{t("prospect.title")}</h2>
      <div class="row">
        <Field label={t("prospect.name")}>
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label={t("prospect.phone")}>
          <input name="phone" type="tel" value={phone} onInput={(e) => setPhone(e.currentTarget.value)} />
        </Field>
      </div>
      <Field label={t("prospect.howMet")}>
        <input name="how_met" value={howMet} onInput={(e) => setHowMet(e.currentTarget.value)} />
      </Field>
      <Field label={t("prospect.liked")}>
        <input name="liked" value={liked} onInput={(e) => setLiked(e.currentTarget.value)} />
      </Field>
      <StatusLine notice={write.notice} />
      <FormButtons busy={write.busy} submit={t("common.save")} onCancel={props.onCancel} />
    </form>
  );
}
