import { cleanup } from "@testing-library/svelte";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  clearMocks();
});

// jsdom's Blob has no arrayBuffer(); the audience step reads files with it.
if (typeof Blob.prototype.arrayBuffer !== "function") {
  Object.defineProperty(Blob.prototype, "arrayBuffer", {
    value(this: Blob): Promise<ArrayBuffer> {
      return new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => {
          resolve(reader.result as ArrayBuffer);
        };
        reader.onerror = () => {
          reject(reader.error ?? new Error("could not read the file"));
        };
        reader.readAsArrayBuffer(this);
      });
    },
  });
}

// jsdom has no canvas: say so quietly (getContext returns null, as a browser without 2D canvas
// would) instead of logging "not implemented"; charts then show their numbers as text.
Object.defineProperty(HTMLCanvasElement.prototype, "getContext", {
  configurable: true,
  value: () => null,
});
