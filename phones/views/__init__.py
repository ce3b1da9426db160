"""HTTP views. They validate input with forms, read through selectors and write through
services; they never talk to WellApp themselves."""

from phones.views.browse import phone_detail, phone_list
from phones.views.create import number_preview, phone_new, picker_options
from phones.views.health import healthz

__all__ = ["healthz", "number_preview", "phone_detail", "phone_list", "phone_new", "picker_options"]
