// Starts `dangol demo` + `dangol serve` on a free port in a temporary directory, adds the few
// customers the tests look for, and tells the tests where through environment variables. The
// function it returns stops the server and removes the directory.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

export const fixture = {
  last4: "4821",
  alertName: "김알림",
  allergy: "땅콩",
  xssName: "<img src=x onerror=alert(1)>",
};

async function waitForListening(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`dangol serve did not start:\n${output}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/dangol listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`dangol serve exited with ${code}:\n${output}`));
    });
  });
}

async function seed(base: string, email: string, password: string): Promise<void> {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!login.ok) throw new Error(`seed login: ${login.status}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  const { csrf_token } = (await login.json()) as { csrf_token: string };
  const post = async (url: string, body: unknown) => {
    const response = await fetch(`${base}/api/v1${url}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf_token },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`seed ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as { id: number };
  };
  const alert = await post("/customers", { name: fixture.alertName, phone: `010-7100-${fixture.last4}`, tags: ["브라우저"] });
  await post(`/customers/${alert.id}/preferences`, { kind: "allergy", subject: fixture.allergy });
  await post(`/customers/${alert.id}/preferences`, { kind: "like", subject: "아이스 라떼" });
  await post("/customers", { name: "박보통", phone: `010-7101-${fixture.last4}` });
  await post("/customers", { name: "이평범", phone: `010-7102-${fixture.last4}` });
  await post("/customers", { name: fixture.xssName, phone: "010-7103-9090", tags: ["브라우저"] });
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = process.env.DANGOL_BIN ?? path.join(root, "build", "dangol");
  const webRoot = process.env.DANGOL_WEB_ROOT ?? path.join(root, "web", "dist");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dangol-browser-"));
  const db = `sqlite:${path.join(dir, "demo.db")}`;
  const demo = execFileSync(bin, ["demo", "--db", db, "--customers", "300", "--seed", "7"], { encoding: "utf8" });
  const password = demo.match(/password:\s+(\S+)/)?.[1];
  if (!password) throw new Error(`no password in the demo output:\n${demo}`);

  const server = spawn(bin, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--web-root", webRoot, "--workers", "4"], {
    stdio: ["ignore", "pipe", fs.openSync(path.join(dir, "server.log"), "w")],
  });
  const base = await waitForListening(server);
  server.stdout!.resume();
  await seed(base, "owner@demo.dangol", password);

  process.env.DANGOL_BASE_URL = base;
  process.env.DANGOL_OWNER_EMAIL = "owner@demo.dangol";
  process.env.DANGOL_STAFF_EMAIL = "gangnam@demo.dangol";
  process.env.DANGOL_PASSWORD = password;

  return async () => {
    server.kill("SIGTERM");
    await new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.kill("SIGKILL");
        resolve(undefined);
      }, 10_000);
      server.on("exit", () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
