"""Training-curve figures: one panel per metric, one colour per run across panels."""
from cledi.visualization import curves_figure


def test_a_run_keeps_its_colour_in_panels_other_runs_lack():
    series = {
        'MoCo v3 s0': {'knn': ([4, 8], [35.0, 37.0]), 'loss_global': ([1, 2], [3.0, 2.9])},
        'CL-EDI s0': {'knn': ([4, 8], [34.0, 37.5]), 'loss_global': ([1, 2], [3.1, 2.8]),
                      'loss_detail': ([1, 2], [3.2, 2.7])},
    }
    fig = curves_figure(series, ['knn', 'loss_global', 'loss_detail'])
    knn, _, detail = fig.axes
    colours = {line.get_label(): line.get_color() for line in knn.get_lines()}
    assert colours['MoCo v3 s0'] != colours['CL-EDI s0']
    [detail_line] = detail.get_lines()  # only CL-EDI logs a detail loss
    assert detail_line.get_label() == 'CL-EDI s0' and detail_line.get_color() == colours['CL-EDI s0']
