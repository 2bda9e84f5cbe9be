"""budget-reconcile: read departmental budget disclosures, reconcile every figure."""

__version__ = "0.1.0"
