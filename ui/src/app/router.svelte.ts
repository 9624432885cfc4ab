// A tiny hash router: the current Route as reactive state, kept in step with location.hash.
import { href, parseHash, type Route } from "./routes";

export const router = $state<{ route: Route }>({ route: parseHash(window.location.hash) });

function sync() {
  router.route = parseHash(window.location.hash);
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
