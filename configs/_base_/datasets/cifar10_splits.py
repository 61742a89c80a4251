# The CIFAR-10 splits of the folder copy (`data_root/meta/train.txt` lists 5,000 files per class in class order,
# `0000.jpg` to `4999.jpg`): the low-data pre-training split `meta/train_10pct.txt` holds files 0000-0499 of each
# class; the held-out **val** queries are files 0500-0999 of each class of `meta/train.txt` (5,000 images, outside
# the low-data split), for every choice; the 10,000 test images are scored once per final configuration.
val_indices = [label * 5000 + number for label in range(10) for number in range(500, 1000)]
# the training split without the val queries (files 0000-0499 and 1000-4999 of each class, 45,000 images): what the
# full-CIFAR-10 configs pre-train on, so their monitor's val queries stay outside the kNN bank
train_indices = [label * 5000 + number for label in range(10) for number in range(5000) if not 500 <= number < 1000]
# the data-size axis (docs/benchmarks.md, issue 38): nested subsets of the training split, all outside the val queries:
# 100 files of each class (0000-0099: 1,000 images) within the 10 % split (0000-0499: 5,000) within 2,500 of each class
# (0000-0499 and 1000-2999: 25,000 images)
train_1k_indices = [label * 5000 + number for label in range(10) for number in range(100)]
train_25k_indices = [label * 5000 + number for label in range(10) for number in (*range(500), *range(1000, 3000))]
