// Who is signed in, shared by every page.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./api";

export interface Session {
  me: Me;
  setMe: (me: Me | null) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

export const isManager = (me: Me) => me.role === "owner" || me.role === "manager";
