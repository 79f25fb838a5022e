"""Benchmarks of the product, run from the project folder (`make bench`, `make judge`, `make eval-docs`, ...);
what they share lives here. Nothing here is imported by the product."""

# The confidence bands of every reliability table the benchmarks print: how often the first passage
# answered in each (the page's "likely" from 0.9, "possibly" from 0.5, "a weak match" below).
RELIABILITY_BANDS = ((0.9, 1.01), (0.7, 0.9), (0.5, 0.7), (0.3, 0.5), (0.0, 0.3))
