"""The learning-materials chain's writing flows: the callback listener, the exchanges and
their checks."""
