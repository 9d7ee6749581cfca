"""One router per resource: API, pages, vendored assets."""
