"""Editors define newsletters and build, preview, test and send their issues."""
