import { mount } from "svelte";
import App from "./app/App.svelte";
import "./lib/design/styles.css";

// Mock mode (`vite --mode mock`): a fake backend in the page, so the UI runs in a browser.
// The condition is static, so production builds contain no mock code.
if (import.meta.env.MODE === "mock") {
  const { installMock } = await import("./api/mock");
  // The fake engine sends a batch a second, so sending campaigns move as they would in the app;
  // a completed campaign of 250,000 messages (made on demand) shows the grid keeps up; texts
  // wait for their members' sending window, as they would.
  installMock({ sendEveryMs: 1000, largeCampaign: 250_000, windows: true });
}

const target = document.getElementById("app");
if (!target) throw new Error("#app is missing from index.html");

export default mount(App, { target });
