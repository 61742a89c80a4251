"""tools/train.py's console: a run's set-up output is held until training starts, dropped before a set-up error."""
import logging
import sys

import pytest

from cledi.engine.console import HeldConsole, release_held_console


def test_set_up_output_appears_when_training_starts_and_never_before_a_set_up_error(capsys):
    logger = logging.getLogger('cledi-test-console')
    with HeldConsole() as console:
        handler = logging.StreamHandler(sys.stdout)  # a logger made during the set-up streams to the held stdout
        logger.addHandler(handler)
        print('set-up line')
        assert capsys.readouterr().out == ''
        console.before_train(None)  # training starts
        assert console.started
        print('training line')
        logger.warning('logged line')
    assert capsys.readouterr().out == 'set-up line\ntraining line\nlogged line\n'
    logger.removeHandler(handler)

    with pytest.raises(ValueError):
        with HeldConsole():
            print('set-up line of a run whose config is bad')
            raise ValueError('unknown key')
    assert capsys.readouterr().out == '' and sys.stdout is not None
    print('after')
    assert capsys.readouterr().out == 'after\n'


def test_long_set_up_work_lets_the_lines_out_early_and_a_later_error_is_still_a_set_up_error(capsys):
    with pytest.raises(KeyError):
        with HeldConsole() as console:
            print('decoding images once')
            release_held_console()  # the image cache's first build
            assert capsys.readouterr().out == 'decoding images once\n'
            print('cached 5000/50000 images')
            assert capsys.readouterr().out == 'cached 5000/50000 images\n'
            assert not console.started
            raise KeyError('a bad option after the cache was built')
    release_held_console()  # nothing held: a no-op
