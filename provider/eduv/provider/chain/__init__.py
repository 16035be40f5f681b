"""The reference provider's part in the learning-materials chain.

:mod:`eduv.provider.roles` says which component the provider plays per chain API and
what that means per operation (served, refused with 405, scopes, consent); the tables
are in :mod:`eduv.provider.schema`. Here, :mod:`.store` keeps a chain dataset in the
provider's database, :mod:`.service` answers the reads, :mod:`.refusals` routes the
405s and :mod:`.sample` generates a chain for the schools of an administration dataset
(the embedded provider's).
"""
