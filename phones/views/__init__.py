"""HTTP views. They validate input with forms, read through selectors and write through
services; they never talk to WellApp themselves. A view is named after its URL with
``_view`` (``phones:refresh`` is ``sync.refresh_view``), as Django's admin names its views."""
