"""Rules that need a whole dataset: references, hierarchies, time and membership, by domain.

Every check walks the objects in scope once and answers its questions through the
indexes of :class:`~eduv.rules.context.Context`; none compares objects pairwise. Each
domain module ends with ``CHECKS``, the table that binds its rules to their checks.
"""
