"""Load test of the portal: gunicorn over a cache of WellApp phones, driven by locust."""
