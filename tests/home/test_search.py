import pytest

pytestmark = pytest.mark.django_db


def test_search_finds_a_course_by_its_title(zh_client):
    response = zh_client.get("/search/", {"q": "书法"})
    titles = [page.title for page in response.context["results"]]
    assert "爱尚书法" in titles


def test_search_finds_a_course_by_words_in_its_summary(zh_client):
    response = zh_client.get("/search/", {"q": "字母"})
    assert [page.title for page in response.context["results"]] == ["学会ABC"]


def test_search_without_a_query_shows_only_the_form(zh_client):
    response = zh_client.get("/search/")
    assert response.status_code == 200
    assert response.context["search_query"] == ""


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "(((", "书法 -", "x" * 5000, "<script>alert(1)</script>", "\x00"])
def test_malformed_query_gets_a_normal_page(zh_client, query):
    response = zh_client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "999"])
def test_out_of_range_result_page_falls_back_to_the_first(zh_client, page):
    response = zh_client.get("/search/", {"q": "书法", "page": page})
    assert response.status_code == 200
    assert response.context["results"].number == 1


def test_no_results_message_is_in_chinese(zh_client):
    response = zh_client.get("/search/", {"q": "潜水"})
    assert "没有找到和“潜水”有关的内容" in response.content.decode()
