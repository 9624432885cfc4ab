// Mock mode (`vite --mode mock`, `npm run build:mock`): answers every command from an in-memory
// fake backend so the UI runs in a plain browser. main.ts imports this only in mock mode.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import type { CampaignsChanged, QuitRequested, SettingsChanged } from "./bindings";
import { FakeBackend } from "./fakeBackend";

export function installMock(options: ConstructorParameters<typeof FakeBackend>[0] = {}): FakeBackend {
  const backend = new FakeBackend({
    onCampaignsChanged: (campaignId) => {
      const payload: CampaignsChanged = { campaign_id: campaignId };
      void emit("campaigns-changed", payload);
    },
    onSettingsChanged: () => {
      const payload: SettingsChanged = {};
      void emit("settings-changed", payload);
    },
    onQuitRequested: (sending) => {
      const payload: QuitRequested = { sending };
      void emit("quit-requested", payload);
    },
    ...options,
  });
  mockIPC((cmd, payload) => backend.handle(cmd, payload as Record<string, unknown> | undefined), {
    shouldMockEvents: true,
  });
  return backend;
}
