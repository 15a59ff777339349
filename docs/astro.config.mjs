// The NANO documentation site. Every code example comes from a file under
// ../examples (or another file the test suite runs), included at build time by
// src/components/Example.astro; the config and CLI references render data files
// that nano/test/test_docs.py checks against the code.
import { defineConfig } from "astro/config";
import starlight from "@astrojs/starlight";

export default defineConfig({
  site: "https://nano.invalid",
  telemetry: false,
  integrations: [
    starlight({
      title: "NANO",
      description:
        "Many Cloudflare-Workers-style JavaScript apps in one Python (Twisted) process, one V8 isolate each.",
      customCss: ["./src/styles/custom.css"],
      lastUpdated: false,
      pagination: true,
      sidebar: [
        {
          label: "Getting started",
          items: ["start/install", "start/first-app", "start/multi-app"],
        },
        {
          label: "Configuration",
          items: ["config/reference", "config/cli"],
        },
        { label: "Admin API", items: ["admin/api", "admin/status"] },
        {
          label: "JavaScript API",
          items: [
            "js/overview",
            "js/fetch",
            "js/streams",
            "js/encoding-url",
            "js/crypto",
            "js/blob-formdata",
            "js/events-abort",
            "js/timers",
            "js/console",
          ],
        },
        {
          label: "Operations",
          items: [
            "operations/limits",
            "operations/hot-reload",
            "operations/shutdown",
            "operations/observability",
            "operations/workers",
          ],
        },
        {
          label: "Deployment",
          items: ["deploy/systemd", "deploy/reverse-proxy", "deploy/kubernetes", "deploy/scaling"],
        },
        {
          label: "Internals",
          items: ["performance", "architecture", "comparison"],
        },
      ],
    }),
  ],
});
