// A tiny hash router: the current Route as reactive state, kept in step with location.hash.
// A page with work to finish (the wizard's unsaved draft) can hold a change of page back
// until that work is done: see guardLeaving.
import { href, parseHash, type Route } from "./routes";

export const router = $state<{ route: Route }>({ route: parseHash(window.location.hash) });

/** Asked before the current page is left for `to`; resolves to whether it may be. */
export type LeaveGuard = (to: Route) => Promise<boolean>;

let guard: LeaveGuard | null = null;
/** Bumped on each change of page asked for, so only the latest one asked is made. */
let attempt = 0;

/**
 * Lets the current page finish its work before it is left (sidebar, links, navigate(), the
 * browser's back): the URL and the page stay as they are until `check` resolves to true; on
 * false (or an error) they stay for good and the page says why. Returns the release function.
 */
export function guardLeaving(check: LeaveGuard): () => void {
  guard = check;
  return () => {
    if (guard === check) guard = null;
  };
}

/**
 * Lets the current page finish its work (as before it is left), e.g. before Herald quits:
 * resolves to whether it did (true when no page has work in hand).
 */
export async function finishWork(): Promise<boolean> {
  const check = guard;
  if (check === null) return true;
  try {
    return await check(router.route);
  } catch {
    return false;
  }
}

function show(route: Route) {
  // Replaces the entry the hash change made (or, while a guard was asked, the copy of the
  // page being left), so history holds one entry per page.
  if (window.location.hash !== href(route)) history.replaceState(history.state, "", href(route));
  router.route = route;
}

function sync() {
  const next = parseHash(window.location.hash);
  const here = router.route;
  if (href(next) === href(here)) return;
  const check = guard;
  if (check === null) {
    router.route = next;
    return;
  }
  // Back to the page being left (its URL too) until it says it may go.
  history.replaceState(history.state, "", href(here));
  const mine = ++attempt;
  check(next).then(
    (ok) => {
      if (ok && mine === attempt) show(next);
    },
    () => {
      // A guard that fails keeps the page: it has shown why.
    },
  );
}

/** Starts following hashchange; returns the stop function. */
export function startRouter(): () => void {
  sync();
  window.addEventListener("hashchange", sync);
  return () => {
    window.removeEventListener("hashchange", sync);
  };
}

export function navigate(route: Route): void {
  window.location.hash = href(route);
}

/** Changes the URL without adding a history entry (e.g. #/new → #/campaigns/7/edit once saved). */
export function replaceRoute(route: Route): void {
  history.replaceState(history.state, "", href(route));
  router.route = route;
}
