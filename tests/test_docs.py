"""The prose quotes the generated tables: numbers typed into docs/method.md are numbers of docs/benchmarks.md, so a
regenerated table cannot leave them behind unseen."""
import os.path as osp
import re

from .conftest import REPO_ROOT


def test_every_two_decimal_number_of_method_md_is_in_the_tables():
    method = open(osp.join(REPO_ROOT, 'docs', 'method.md')).read()
    tables = open(osp.join(REPO_ROOT, 'docs', 'benchmarks.md')).read()
    numbers = re.findall(r'(?<![\w.])[+-]?\d+\.\d\d(?!\d)', method)
    assert len(numbers) >= 20  # the outcome sentences, the design work, the pilot-era tables
    assert [number for number in numbers if number not in tables] == []
