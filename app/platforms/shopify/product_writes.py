"""Writes of a product's own fields to Shopify: `productUpdate` and `productVariantsBulkUpdate`.

A mixin of `ShopifyClient` (plain values in, plain dicts out; no models). Both mutations set absolute
values, so sending the same input twice leaves Shopify as once: the push job may run again safely. Each
answers the product's new `updatedAt`, which the caller stores so the next sync does not re-apply old data.
userErrors raise `ShopifyError` (their messages in `merchant_message`).
"""

from __future__ import annotations

PRODUCT_UPDATE_MUTATION = """
mutation ProductUpdate($product: ProductUpdateInput!) {
  productUpdate(product: $product) {
    product { id title handle status vendor productType tags descriptionHtml updatedAt }
    userErrors { field message }
  }
}
"""

PRODUCT_VARIANTS_BULK_UPDATE_MUTATION = """
mutation ProductVariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    product { id updatedAt }
    productVariants { id price compareAtPrice sku barcode }
    userErrors { field message code }
  }
}
"""

DOCUMENTS = {
    "PRODUCT_UPDATE_MUTATION": PRODUCT_UPDATE_MUTATION,
    "PRODUCT_VARIANTS_BULK_UPDATE_MUTATION": PRODUCT_VARIANTS_BULK_UPDATE_MUTATION,
}


class ProductWritesMixin:
    def update_product(self, product_input: dict) -> dict:
        """`product_input`: a `ProductUpdateInput` (`id` and the fields to set). Returns the product node."""
        payload = self._mutate(PRODUCT_UPDATE_MUTATION, {"product": product_input}, "productUpdate")
        return payload.get("product") or {}

    def update_variants(self, product_id: str, variants: list[dict]) -> dict:
        """`variants`: `ProductVariantsBulkInput`s (`id` and the fields to set). Returns the payload
        (`product {id updatedAt}`, `productVariants`)."""
        variables = {"productId": product_id, "variants": variants}
        return self._mutate(PRODUCT_VARIANTS_BULK_UPDATE_MUTATION, variables, "productVariantsBulkUpdate")
