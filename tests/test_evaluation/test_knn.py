import pytest
import torch

from cledi.evaluation import backbone_features, knn_accuracy, knn_predict


def test_weighted_vote_matches_hand_computation():
    # bank: two class-0 points near (1, 0), one class-1 point at (0, 1)
    bank = torch.tensor([[1.0, 0.0], [1.0, 0.2], [0.0, 1.0]])
    labels = torch.tensor([0, 0, 1])
    query = torch.tensor([[0.6, 0.8]])  # cos sims: 0.6, (0.6+0.16)/1.0198=0.7452, 0.8
    scores = knn_predict(bank, labels, query, k=3, temperature=0.5)
    sims = torch.tensor([0.6, 0.76 / (1.04 ** 0.5), 0.8])
    expected = torch.tensor([[torch.exp(sims[0] / 0.5) + torch.exp(sims[1] / 0.5), torch.exp(sims[2] / 0.5)]])
    torch.testing.assert_close(scores, expected)
    assert scores.argmax().item() == 0  # two weaker votes beat one stronger
    # with k=1 only the nearest (class 1) votes
    assert knn_predict(bank, labels, query, k=1, temperature=0.5).argmax().item() == 1


def test_knn_accuracy_on_a_hand_made_set():
    bank = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    bank_labels = torch.tensor([0, 0, 1, 1])
    queries = torch.tensor([[1.0, 0.05], [0.05, 1.0], [0.2, 1.0], [1.0, 1.1]])
    query_labels = torch.tensor([0, 1, 1, 0])  # the last one is on the wrong side
    result = knn_accuracy(bank, bank_labels, queries, query_labels, ks=(1, 2), temperature=0.07)
    assert result == {'top1_k1': pytest.approx(75.0), 'top1_k2': pytest.approx(75.0)}


def test_feature_types():
    class Backbone(torch.nn.Module):

        def forward(self, x):
            return (x, )

    tokens = torch.arange(2 * 3 * 2, dtype=torch.float32).reshape(2, 3, 2)
    torch.testing.assert_close(backbone_features(Backbone(), tokens, 'cls'), tokens[:, 0])
    torch.testing.assert_close(backbone_features(Backbone(), tokens, 'mean'), tokens[:, 1:].mean(1))
    assert backbone_features(Backbone(), tokens, 'cls+mean').shape == (2, 4)
    with pytest.raises(ValueError, match="'avg'"):
        backbone_features(Backbone(), tokens, 'avg')


def test_several_feature_types_from_one_pass_match_single_calls():
    from mmpretrain.structures import DataSample

    from cledi.evaluation import evaluate_knn, evaluate_knn_features

    from ..helpers import build_model, tiny_cledi_config
    torch.manual_seed(0)
    model = build_model(tiny_cledi_config().model)
    generator = torch.Generator().manual_seed(1)

    def batches(n):
        out = []
        for i in range(n):
            labels = torch.randint(0, 3, (4, ), generator=generator)
            images = [torch.randint(0, 256, (3, 32, 32), generator=generator, dtype=torch.uint8) for _ in range(4)]
            out.append(dict(inputs=torch.stack(images), data_samples=[DataSample().set_gt_label(int(x)) for x in labels]))
        return out

    bank, query = batches(3), batches(2)
    together = evaluate_knn_features(model, bank, query, ['cls', 'mean', 'cls+mean'], ks=(1, 5))
    assert set(together) == {'cls', 'mean', 'cls+mean'}
    for feature, results in together.items():
        assert results == pytest.approx(evaluate_knn(model, bank, query, feature, ks=(1, 5)))
    with pytest.raises(ValueError, match="'avg'"):
        evaluate_knn_features(model, bank, query, ['cls', 'avg'])


def test_the_share_of_errors_between_similar_classes_by_hand():
    from cledi.evaluation.similar import similar_error_share
    groups = [[3, 5], [1, 9]]  # cat / dog, automobile / truck
    labels = torch.tensor([3, 3, 5, 1, 9, 0, 2])
    predicted = torch.tensor([5, 3, 3, 9, 0, 8, 2])  # errors: 3->5 (similar), 5->3 (similar), 1->9 (similar),
    # 9->0 (not), 0->8 (not: airplane / ship is not a declared group here)
    assert similar_error_share(predicted, labels, groups) == dict(errors=5, similar_errors=3,
                                                                  similar_error_share=60.0)
    assert similar_error_share(labels, labels, groups)['similar_error_share'] == 0.0


@pytest.mark.parametrize('data_set,count', [('cifar10', 4), ('tiny-imagenet', 14)])
def test_the_declared_similar_classes_name_classes_of_the_real_lists(data_set, count):
    import os.path as osp

    from cledi.evaluation.similar import class_groups

    from ..conftest import DATA_ROOT
    with open(osp.join(DATA_ROOT, data_set, 'meta', 'classes.txt')) as f:
        classes = f.read().split()
    groups = class_groups(data_set, classes)
    labels = [label for group in groups for label in group]
    assert len(groups) == count and len(labels) == len(set(labels))  # no class in two groups
    if data_set == 'cifar10':
        assert groups == [[3, 5], [1, 9], [4, 7], [0, 8]]
    dropped = groups and classes[groups[0][0]]  # a list without the first group's first class is refused, naming it
    with pytest.raises(ValueError, match=f'name classes its list lacks: {dropped}$'):
        class_groups(data_set, [name for name in classes if name != dropped])
