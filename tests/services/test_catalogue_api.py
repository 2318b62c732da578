"""The catalogue API: departments, items, bundles with savings computed from the data."""
import pytest

from services.models import Step
from tests.factories import (
    BundleFactory,
    BundleItemFactory,
    DepartmentFactory,
    MaterialFactory,
    ServiceItemFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db

JOINT = ["申请", "受理", "材料核验", "证照送达"]


def _item(code, *, days=5, visits=1, materials=(), own=("审查", "决定"), **kwargs):
    item = ServiceItemFactory(code=code, name=f"事项{code}", promised_days=days, legal_days=20, visits=visits, **kwargs)
    item.materials.add(*materials)
    for position, name in enumerate(JOINT):
        StepFactory(item=item, position=position, name=name, kind=Step.Kind.JOINT)
    for position, name in enumerate(own, start=len(JOINT)):
        StepFactory(item=item, position=position, name=name, kind=Step.Kind.OWN)
    return item


@pytest.fixture
def restaurant_bundle(department):
    id_card, lease, plan = (MaterialFactory(name=n) for n in ["身份证", "租赁合同", "平面图"])
    licence = _item("licence", days=3, visits=1, materials=[id_card, lease], department=department)
    food = _item("food", days=10, visits=2, materials=[id_card, lease, plan], department=department)
    tax = _item("tax", days=1, visits=1, materials=[id_card], department=department)
    bundle = BundleFactory(slug="restaurant", name="青创+餐饮企业一件事")
    BundleItemFactory(bundle=bundle, item=licence, position=1)
    BundleItemFactory(bundle=bundle, item=food, position=2, requires=licence)
    BundleItemFactory(bundle=bundle, item=tax, position=3)
    return bundle


def test_it_computes_the_savings_of_a_bundle_from_its_items(api_as, restaurant_bundle):
    response = api_as(None).get("/api/v1/bundles/restaurant/")
    assert response.status_code == 200
    savings = response.json()["savings"]
    # 3 items x (4 joint + 2 own) = 18 separately; 4 joint once + 6 own = 10 in the bundle.
    assert savings["separate_steps"] == 18
    assert savings["bundle_steps"] == 10
    assert savings["steps_saved_percent"] == 44
    assert (savings["separate_materials"], savings["bundle_materials"]) == (6, 3)
    assert (savings["separate_visits"], savings["bundle_visits"]) == (4, 2)
    # One after another 3 + 10 + 1; in the bundle the food permit waits for the licence: 3 + 10.
    assert (savings["separate_days"], savings["bundle_days"]) == (14, 13)


def test_it_lists_bundle_items_in_order_with_deduplicated_materials(api_as, restaurant_bundle):
    body = api_as(None).get("/api/v1/bundles/restaurant/").json()
    assert [entry["code"] for entry in body["items"]] == ["licence", "food", "tax"]
    assert body["items"][1]["requires"] == "licence"
    assert sorted(material["name"] for material in body["materials"]) == ["平面图", "租赁合同", "身份证"]


def test_it_answers_404_for_an_unknown_bundle_or_item(api_as, db):
    assert api_as(None).get("/api/v1/bundles/nothing/").status_code == 404
    response = api_as(None).get("/api/v1/services/nothing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_shows_an_item_with_materials_and_steps(api_as, restaurant_bundle):
    body = api_as(None).get("/api/v1/services/food/").json()
    assert body["name"] == "事项food"
    assert {m["name"] for m in body["materials"]} == {"身份证", "租赁合同", "平面图"}
    assert [step["kind"] for step in body["steps"]] == ["joint"] * 4 + ["own"] * 2
    assert body["bundles"] == [{"slug": "restaurant", "name": "青创+餐饮企业一件事"}]


def test_it_filters_items_by_stage_department_bookable_and_search(api_as, department):
    other = DepartmentFactory(code="tax", name="区税务局")
    ServiceItemFactory(code="a", name="个体工商户登记", stage="registration", department=department)
    ServiceItemFactory(code="b", name="公共租赁住房申请", stage="housing", department=department, bookable=False)
    ServiceItemFactory(code="c", name="税务登记", stage="registration", department=other)
    client = api_as(None)

    def codes(query):
        response = client.get("/api/v1/services/" + query)
        assert response.status_code == 200, response.content
        return sorted(row["code"] for row in response.json()["results"])

    assert codes("") == ["a", "b", "c"]
    assert codes("?stage=registration") == ["a", "c"]
    assert codes("?department=tax") == ["c"]
    assert codes("?bookable=false") == ["b"]
    assert codes("?search=租赁") == ["b"]


def test_it_answers_400_for_malformed_filters(api_as, db):
    client = api_as(None)
    response = client.get("/api/v1/services/?stage=moon")
    assert response.status_code == 400
    assert "stage" in response.json()["errors"]
    assert client.get("/api/v1/services/?department=nowhere").status_code == 400
    assert client.get("/api/v1/services/?bookable=perhaps").status_code == 400
    assert client.get("/api/v1/slots/?date_from=2026-13-45").status_code == 400
    assert client.get("/api/v1/slots/?bundle=nothing").status_code == 400


def test_it_lists_departments_with_their_item_count(api_as, department):
    ServiceItemFactory.create_batch(2, department=department)
    body = api_as(None).get("/api/v1/departments/").json()
    assert body["results"][0]["code"] == "market"
    assert body["results"][0]["item_count"] == 2


def _catalogue(size: int, department):
    for n in range(size):
        bundle = BundleFactory()
        for m in range(3):
            item = _item(f"s{size}-{n}-{m}", materials=[MaterialFactory(name=f"材料{m}")], department=department)
            BundleItemFactory(bundle=bundle, item=item, position=m)


def test_it_lists_bundles_with_a_fixed_number_of_queries(api_as, department, django_assert_max_num_queries):
    client = api_as(None)
    _catalogue(2, department)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/bundles/").status_code == 200
    _catalogue(15, department)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/bundles/")
    assert response.json()["count"] == 17


def test_it_lists_items_with_a_fixed_number_of_queries(api_as, department, django_assert_max_num_queries):
    client = api_as(None)
    _catalogue(1, department)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/services/").status_code == 200
    _catalogue(10, department)
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/services/").status_code == 200
