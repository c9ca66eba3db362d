"""Subscribers in the admin: counts and growth, unsubscribes and bounces, CSV export and
import."""
