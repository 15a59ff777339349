from twisted.application.service import ServiceMaker

nano = ServiceMaker(
    "nano", "nano.tap", "Serve Cloudflare-Workers-style JavaScript apps in V8 isolates.", "nano"
)
