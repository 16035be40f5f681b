"""Rules of the learning-materials chain, by domain.

Message rules (:mod:`.products`, :mod:`.exchanges`, :mod:`.reports`, :mod:`.parties`)
look at one catalogue, order, delivery, entitlement, usage, results, progress, consent,
agreement or notification message; chain rules (:mod:`.ordering`, :mod:`.deliveries`,
:mod:`.entitlements`, :mod:`.activations`, :mod:`.people`) look at a whole chain dataset
(format 2) through the indexes of :class:`~eduv.rules.chain.context.ChainContext`. Each
module ends with ``CHECKS``, the table that binds its rules to their checks.
"""
