// Importing a file (managers and owners): the kind and the file, a dry run whose report shows the
// mapping, the counts and every issue, then the real run of the same file and its outcome.
import { importExample, importField, importIssue } from "../import_text";
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, NetworkError, api, upload, type ImportJob, type ImportKind, type ImportReport } from "../api";
import { hasMessage, t, type MessageKey } from "../i18n";
import { Field, StatusLine, type Notice } from "../components/ui";

const kinds: ImportKind[] = ["customers", "orders", "order_lines", "transactions"];
const encodings = ["", "utf-8", "cp949", "utf-16le", "utf-16be"];
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const pollMs = 500;

function contentType(file: File): string {
  const name = file.name.toLowerCase();
  if (name.endsWith(".xlsx")) return xlsxType;
  if (name.endsWith(".csv") || name.endsWith(".txt") || name.endsWith(".tsv")) return "text/csv";
  return file.type || "application/octet-stream";
}

// A refusal or a failed job in the staff's language, naming the field the server named.
function explain(error: { status?: number; field?: string; message?: string } | null | undefined): string {
  const field = error?.field ?? "";
  const key = `imp.error.${field}`;
  const text = hasMessage(key) ? t(key as MessageKey) : t("imp.error.other", { field: field || "—" });
  return error?.message ? `${text} (${error.message})` : text;
}

function errorText(error: unknown): string {
  if (error instanceof NetworkError) return t("error.network");
  if (error instanceof ApiError) {
    if (error.status === 403) return t("error.permission");
    if (error.status === 413) return t("imp.error.tooLarge");
    return explain(error);
  }
  return t("error.generic");
}

export function ImportPage() {
  const [kind, setKind] = useState<ImportKind>("customers");
  const [encoding, setEncoding] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [validOnly, setValidOnly] = useState(false);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [preview, setPreview] = useState<ImportJob | null>(null);
  const [outcome, setOutcome] = useState<ImportJob | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const reset = () => {
    setPreview(null);
    setOutcome(null);
    setJob(null);
    setNotice(null);
  };

  // Uploads the file and follows the job until it ends; a failed job is shown as an error.
  const run = async (dryRun: boolean): Promise<ImportJob | null> => {
    if (!file) {
      setNotice({ kind: "error", text: t("imp.error.noFile") });
      return null;
    }
    const query = new URLSearchParams({ kind, dry_run: String(dryRun), mode: dryRun || validOnly ? "valid_rows" : "all_or_nothing" });
    if (encoding) query.set("encoding", encoding);
    setBusy(true);
    setNotice(null);
    try {
      let current = await upload<ImportJob>(`/imports?${query}`, file, contentType(file));
      setJob(current);
      while (current.state === "queued" || current.state === "running") {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        if (!alive.current) return null;
        current = await api.get<ImportJob>(`/imports/${current.id}`);
        setJob(current);
      }
      if (current.state === "failed") {
        setNotice({ kind: "error", text: explain(current.error) });
        return null;
      }
      return current;
    } catch (error) {
      setNotice({ kind: "error", text: errorText(error) });
      return null;
    } finally {
      setBusy(false);
      setJob(null);
    }
  };

  const dryRun = async () => {
    setPreview(null);
    setOutcome(null);
    const done = await run(true);
    if (done) setPreview(done);
  };

  const confirm = async () => {
    const done = await run(false);
    if (!done) return;
    setOutcome(done);
    setPreview(null);
    const committed = done.report?.committed ?? false;
    setNotice({ kind: committed ? "ok" : "error", text: t(committed ? "imp.committed" : "imp.notCommitted") });
  };

  return (
    <div class="office">
      <h1>{t("imp.title")}</h1>
      <p>{t("imp.intro")}</p>
      <form
        class="form"
        onSubmit={(event) => {
          event.preventDefault();
          dryRun();
        }}
      >
        <Field label={t("imp.kind")}>
          <select
            value={kind}
            disabled={busy}
            onChange={(event) => {
              setKind((event.currentTarget as HTMLSelectElement).value as ImportKind);
              reset();
            }}
          >
            {kinds.map((k) => (
              <option key={k} value={k}>
                {t(`imp.kind.${k}` as MessageKey)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t("imp.file")} hint={t("imp.fileHint")}>
          <input
            type="file"
            accept=".csv,.txt,.tsv,.xlsx,text/csv"
            disabled={busy}
            data-testid="import-file"
            onChange={(event) => {
              setFile((event.currentTarget as HTMLInputElement).files?.[0] ?? null);
              reset();
            }}
          />
        </Field>
        <Field label={t("imp.encoding")}>
          <select value={encoding} disabled={busy} onChange={(event) => {
              setEncoding((event.currentTarget as HTMLSelectElement).value);
              reset();
            }}
          >
            {encodings.map((e) => (
              <option key={e} value={e}>
                {e === "" ? t("imp.encoding.auto") : e === "cp949" ? "CP949 (EUC-KR)" : e.toUpperCase()}
              </option>
            ))}
          </select>
        </Field>
        <button class="button" type="submit" disabled={busy || !file}>
          {t("imp.dryRun")}
        </button>
      </form>

      <StatusLine notice={notice} />
      {job ? <Progress job={job} /> : null}

      {preview?.report ? (
        <section aria-label={t("imp.report")} data-testid="import-report">
          <h2>{t("imp.report")}</h2>
          <Report report={preview.report} />
          <label class="check">
            <input type="checkbox" checked={validOnly} disabled={busy} onChange={(event) => setValidOnly((event.currentTarget as HTMLInputElement).checked)} />{" "}
            {t("imp.validOnly")}
          </label>
          <p class="field-hint">{t(validOnly ? "imp.validOnlyHint" : "imp.allOrNothingHint")}</p>
          <button class="button button-primary" type="button" disabled={busy} onClick={confirm}>
            {t("imp.confirm")}
          </button>
        </section>
      ) : null}

      {outcome?.report ? (
        <section aria-label={t("imp.outcome")} data-testid="import-outcome">
          <h2>{t("imp.outcome")}</h2>
          <Report report={outcome.report} />
          {outcome.rejects_url && outcome.report.rows.rejected > 0 ? (
            <p>
              <a href={outcome.rejects_url} download data-testid="import-rejects">
                {t("imp.rejects")}
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function Progress({ job }: { job: ImportJob }) {
  const { rows, bytes_read, bytes_total } = job.progress;
  const percent = bytes_total > 0 ? Math.min(100, Math.round((bytes_read / bytes_total) * 100)) : 0;
  return (
    <p class="notice notice-info" role="status" data-testid="import-progress">
      {t(job.state === "queued" ? "imp.queued" : "imp.running", { rows, read: bytes_read, total: bytes_total, percent })}
    </p>
  );
}

function Report({ report }: { report: ImportReport }) {
  const counts: [MessageKey, number][] = [
    ["imp.rowsRead", report.rows.read],
    ["imp.rowsRejected", report.rows.rejected],
    ["imp.rowsSkipped", report.rows.skipped],
    ["imp.customersCreated", report.customers.created],
    ["imp.customersUpdated", report.customers.updated],
    ["imp.customersUnchanged", report.customers.unchanged],
    ["imp.ordersCreated", report.orders.created],
    ["imp.refundsCreated", report.orders.refunds],
    ["imp.ordersExisting", report.orders.existing],
  ];
  return (
    <div>
      <p class="field-hint">
        {t("imp.fileInfo", { format: report.file.format, encoding: report.file.encoding })}
        {report.dry_run ? ` · ${t("imp.wouldBe")}` : ""}
      </p>
      <h3>{t("imp.mapping")}</h3>
      <div class="table-wrap" tabIndex={0}>
        <table class="table" data-testid="import-mapping">
          <thead>
            <tr>
              <th scope="col">{t("imp.column")}</th>
              <th scope="col">{t("imp.field")}</th>
            </tr>
          </thead>
          <tbody>
            {report.mapping.map((entry, index) => (
              <tr key={index}>
                <td>{entry.column}</td>
                <td>{importField(entry.field)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t("imp.counts")}</h3>
      <table class="table" data-testid="import-counts">
        <tbody>
          {counts.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{t(key)}</th>
              <td>{value.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t("imp.issues")}</h3>
      {report.issues.length === 0 ? (
        <p class="empty">{t("imp.noIssues")}</p>
      ) : (
        <div class="table-wrap" tabIndex={0}>
          <table class="table" data-testid="import-issues">
            <thead>
              <tr>
                <th scope="col">{t("imp.code")}</th>
                <th scope="col">{t("imp.count")}</th>
                <th scope="col">{t("imp.examples")}</th>
              </tr>
            </thead>
            <tbody>
              {report.issues.map((issue) => (
                <tr key={issue.code} data-code={issue.code}>
                  <td>
                    {importIssue(issue.code)}
                    {issue.severity === "error" ? ` (${t("imp.rejected")})` : ""}
                  </td>
                  <td>{issue.count.toLocaleString()}</td>
                  <td>
                    <ul>
                      {issue.examples.map((example, index) => (
                        <li key={index}>
                          {t("imp.example", { row: example.row, column: example.column || "—" })} {importExample(example.message)}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
