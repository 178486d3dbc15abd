"""The risk management plan editor: pillar sections of actions, the live gaps, versions and
their comparison."""
