import { events, type CampaignsChanged } from "./bindings";

/**
 * Calls `handler` whenever the backend says the campaign list changed. Returns a synchronous
 * unsubscribe, safe to call before the subscription has finished setting up.
 */
export function onCampaignsChanged(handler: (change: CampaignsChanged) => void): () => void {
  let unlisten: (() => void) | undefined;
  let disposed = false;
  events.campaignsChanged
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
