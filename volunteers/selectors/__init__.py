"""Reads for the volunteers' work, split by concern: readiness, access, help, visits, hours."""
