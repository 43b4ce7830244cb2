"""Model facts (versions, SKUs, regions, quota, rates, capabilities, retirement), each with its source.

Pure data and its one reader; imports nothing of ours, so every other package may use it.
"""

from catalog.offered import OfferedVersion, with_offered_versions
from catalog.reader import (
    CATALOG_ENV,
    DEFAULT_CATALOG_PATH,
    Catalog,
    CatalogError,
    CustomSizes,
    ListPrice,
    Model,
    ModelVersion,
    SkuOffer,
    default_version_of,
    load_catalog,
    parse_catalog,
)

__all__ = [
    "CATALOG_ENV",
    "DEFAULT_CATALOG_PATH",
    "Catalog",
    "CatalogError",
    "CustomSizes",
    "ListPrice",
    "Model",
    "ModelVersion",
    "OfferedVersion",
    "SkuOffer",
    "default_version_of",
    "load_catalog",
    "parse_catalog",
    "with_offered_versions",
]
