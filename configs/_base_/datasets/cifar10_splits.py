# The CIFAR-10 splits of the folder copy (`data_root/meta/train.txt` lists 5,000 files per class in class order,
# `0000.jpg` to `4999.jpg`): the low-data pre-training split `meta/train_10pct.txt` holds files 0000-0499 of each
# class; the held-out **val** queries are files 0500-0999 of each class of `meta/train.txt` (5,000 images, outside
# the low-data split), for every choice; the 10,000 test images are scored once per final configuration.
val_indices = [label * 5000 + number for label in range(10) for number in range(500, 1000)]
