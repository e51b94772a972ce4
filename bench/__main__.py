"""`python -m bench` (what `make bench` runs): every benchmark, one after another."""

from bench import first_metrics

if __name__ == "__main__":
    first_metrics.main()
