"""Writes for the volunteers' work, split by concern: help requests and calls, remote
assist, setup visits, sign-up."""
