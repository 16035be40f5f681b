"""Scenario mode: generated datasets loaded through a provisioning adapter and read back."""
