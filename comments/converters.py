"""The `row_id` path converter: a row id as the database can hold it (at most 18 digits,
within a 64-bit integer). A longer number is no such page or comment (404), where Django's
`int` would pass it to the database and fail there. Importing this module registers it."""

from django.urls import register_converter
from django.urls.converters import IntConverter, get_converters


class RowIdConverter(IntConverter):
    regex = "[0-9]{1,18}"


if "row_id" not in get_converters():
    register_converter(RowIdConverter, "row_id")
