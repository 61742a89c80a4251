"""Groups of similar classes, and the share of kNN errors that stay inside them: the paper's "confusion of similar
samples", measured. The groups are declared once here, before any run that reads them (docs/benchmarks.md, data sets
protocol); a group names classes as the data set's ``meta/classes.txt`` does."""
from typing import Dict, List, Sequence

import torch

SIMILAR_CLASSES = {
    # the four pairs of similar CIFAR-10 classes
    'cifar10': (('cat', 'dog'), ('automobile', 'truck'), ('deer', 'horse'), ('airplane', 'ship')),
    # related Tiny-ImageNet-200 classes (WordNet ids; names from meta/class_names.txt), reviewed from the names alone
    'tiny-imagenet': (
        # dogs: Chihuahua, Yorkshire terrier, golden retriever, Labrador retriever, German shepherd, standard poodle
        ('n02085620', 'n02094433', 'n02099601', 'n02099712', 'n02106662', 'n02113799'),
        # cats: tabby, Persian cat, Egyptian cat, cougar, lion
        ('n02123045', 'n02123394', 'n02124075', 'n02125311', 'n02129165'),
        # insects: ladybug, fly, bee, grasshopper, walking stick, cockroach, mantis, dragonfly, monarch, sulphur
        ('n02165456', 'n02190166', 'n02206856', 'n02226429', 'n02231487', 'n02233338', 'n02236044', 'n02268443',
         'n02279972', 'n02281406'),
        # arachnids: scorpion, black widow, tarantula
        ('n01770393', 'n01774384', 'n01774750'),
        # amphibians: European fire salamander, bullfrog, tailed frog
        ('n01629819', 'n01641577', 'n01644900'),
        # snails and slugs: snail, slug, sea slug
        ('n01944390', 'n01945685', 'n01950731'),
        # lobsters: American lobster, spiny lobster
        ('n01983481', 'n01984695'),
        # primates: orangutan, chimpanzee, baboon
        ('n02480495', 'n02481823', 'n02486410'),
        # bovids: ox, bison, bighorn, gazelle
        ('n02403003', 'n02410509', 'n02415577', 'n02423022'),
        # road vehicles: beach wagon, convertible, limousine, moving van, police van, school bus, sports car,
        # trolleybus
        ('n02814533', 'n03100240', 'n03670208', 'n03796401', 'n03977966', 'n04146614', 'n04285008', 'n04487081'),
        # bridges: steel arch bridge, suspension bridge, viaduct
        ('n04311004', 'n04366367', 'n04532670'),
        # bottles and jugs: beer bottle, pill bottle, pop bottle, water jug
        ('n02823428', 'n03937543', 'n03983396', 'n04560804'),
        # balls: basketball, rugby ball, volleyball
        ('n02802426', 'n04118538', 'n04540053'),
        # citrus and other fruit: orange, lemon, banana, pomegranate
        ('n07747607', 'n07749582', 'n07753592', 'n07768694'),
    ),
}


def class_groups(data_set: str, classes: Sequence[str]) -> List[List[int]]:
    """The declared groups of ``data_set`` as label indices, ``classes`` being the labels' names in order."""
    if data_set not in SIMILAR_CLASSES:
        raise ValueError(f"no similar classes are declared for '{data_set}' (declared: {', '.join(SIMILAR_CLASSES)})")
    index = {name: label for label, name in enumerate(classes)}
    missing = sorted({name for group in SIMILAR_CLASSES[data_set] for name in group} - set(index))
    if missing:
        raise ValueError(f"the similar classes of '{data_set}' name classes its list lacks: {', '.join(missing)}")
    return [[index[name] for name in group] for group in SIMILAR_CLASSES[data_set]]


def similar_error_share(predicted: torch.Tensor, labels: torch.Tensor, groups: Sequence[Sequence[int]]) -> Dict:
    """Of the wrong predictions, how many confuse two classes of one group: ``errors``, ``similar_errors`` and
    ``similar_error_share`` (% of the errors)."""
    group_of = {label: index for index, group in enumerate(groups) for label in group}
    wrong = (predicted != labels).nonzero().flatten().tolist()
    similar = sum(1 for i in wrong if group_of.get(int(labels[i]), -1) == group_of.get(int(predicted[i]), -2))
    return dict(errors=len(wrong), similar_errors=similar,
                similar_error_share=100.0 * similar / len(wrong) if wrong else 0.0)
