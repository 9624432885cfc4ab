import { events, type CampaignsChanged, type OpenCampaign, type QuitRequested } from "./bindings";

interface Channel<T> {
  listen: (handler: (event: { payload: T }) => void) => Promise<() => void>;
}

/**
 * Calls `handler` with each payload on `channel`. Returns a synchronous unsubscribe, safe to
 * call before the subscription has finished setting up.
 */
function subscribe<T>(channel: Channel<T>, handler: (payload: T) => void): () => void {
  let unlisten: (() => void) | undefined;
  let disposed = false;
  channel
    .listen((event) => {
      handler(event.payload);
    })
    .then(
      (stop) => {
        if (disposed) stop();
        else unlisten = stop;
      },
      () => {
        // No event channel (e.g. a mock without event support): the view still works, it just
        // won't refresh by itself.
      },
    );
  return () => {
    disposed = true;
    unlisten?.();
  };
}

/** Calls `handler` whenever the backend says the campaign list (or one campaign) changed. */
export function onCampaignsChanged(handler: (change: CampaignsChanged) => void): () => void {
  return subscribe(events.campaignsChanged, handler);
}

/** Calls `handler` when Quit was chosen while campaigns are sending: the window must ask first. */
export function onQuitRequested(handler: (request: QuitRequested) => void): () => void {
  return subscribe(events.quitRequested, handler);
}

/** Calls `handler` when a setting or secret changed (here or by herald-cli): reload what depends on them. */
export function onSettingsChanged(handler: () => void): () => void {
  return subscribe(events.settingsChanged, () => {
    handler();
  });
}

/** Calls `handler` when a desktop notification about a campaign was clicked (the backend has
 *  already brought the window forward): the window opens that campaign's page. */
export function onOpenCampaign(handler: (request: OpenCampaign) => void): () => void {
  return subscribe(events.openCampaign, handler);
}
