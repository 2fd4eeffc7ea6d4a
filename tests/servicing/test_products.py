"""Products are versioned records loaded from YAML and read back as validated terms."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from arrears.core.errors import ValidationError
from arrears.core.money import Money
from arrears.core.products import CardTerms, LoanTerms, bundled_products
from arrears.servicing.models import Product
from arrears.servicing.services.products import load_products, product_terms

LOAN_YAML = """
- kind: loan
  code: test_loan
  name_en: Test loan
  name_zh: 测试贷款
  currency: CNY
  apr: "{apr}"
  method: annuity
  min_months: 3
  max_months: 24
  late_fee: "0.00"
  charge_off_dpd: 90
  jurisdiction: CN
"""


def write_products(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "products.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_bundled_products_become_rows_whose_terms_read_back_equal():
    # given the bundled product file
    expected = {terms.code: terms for terms in bundled_products()}
    # when the lender loads it
    rows = load_products()
    # then every product is a row at version 1 whose stored terms parse back to the same terms
    assert {row.code for row in rows} == set(expected)
    for row in Product.objects.all():
        assert row.version == 1
        assert row.kind == expected[row.code].kind
        assert row.currency == expected[row.code].currency
        assert product_terms(row) == expected[row.code]


@pytest.mark.django_db
def test_loading_the_same_products_twice_changes_no_version():
    load_products()
    load_products()
    assert set(Product.objects.values_list("version", flat=True)) == {1}


@pytest.mark.django_db
def test_a_changed_terms_document_bumps_the_version(tmp_path):
    # given a loan product at 7.2 %
    load_products(write_products(tmp_path, LOAN_YAML.format(apr="7.2")))
    product = Product.objects.get(code="test_loan")
    assert product_terms(product).apr == Decimal("7.2")  # type: ignore[union-attr]
    # when the file is reloaded with a new APR
    load_products(write_products(tmp_path, LOAN_YAML.format(apr="8.4")))
    # then the product is at version 2 and its terms carry the new APR
    product.refresh_from_db()
    assert product.version == 2
    terms = product_terms(product)
    assert isinstance(terms, LoanTerms)
    assert terms.apr == Decimal("8.4")


@pytest.mark.django_db
def test_a_bad_product_file_names_the_field_and_writes_nothing(tmp_path):
    bad = LOAN_YAML.format(apr="7.2").replace('late_fee: "0.00"', "late_fee: 0.5")
    with pytest.raises(ValidationError) as error:
        load_products(write_products(tmp_path, bad))
    assert error.value.field == "products[0].late_fee"
    assert not Product.objects.exists()


@pytest.mark.django_db
def test_product_terms_are_cached_per_code_and_version(products):
    product = products["cn_card_classic"]
    first = product_terms(product)
    again = product_terms(Product.objects.get(pk=product.pk))
    assert again is first
    assert isinstance(first, CardTerms)
    assert first.late_fee == Money("10.00", "CNY")
