"""Checks on the in-process channel layer (see learning/settings/test.py)."""

from channels.layers import get_channel_layer


def layer_group_keys() -> list:
    """Every group that still has a member (house style: none after the sockets close)."""
    return [name for name, members in get_channel_layer().groups.items() if members]
