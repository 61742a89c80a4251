from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith(('#', '-'))]


def read_version():
    namespace = {}
    with open('cledi/version.py') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='cledi',
    version=read_version(),
    description='CL-EDI: contrastive pre-training of Vision Transformers with enhanced detailed information, '
    'for OpenMMLab (MMEngine / MMPretrain / MMDetection)',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['cledi', 'cledi.*']),
    python_requires='>=3.9',
    # mmcv is not listed: `mmcv-lite` (pre-training) and `mmcv` with ops (detection) ship the same package, and pip
    # would install one over the other; pick one with the extras (or tools/install.sh [--detection]).
    # torch >= 2.6: MMEngine's own checkpoint loads (resume, init_cfg) rely on its weights_only=True default
    install_requires=['torch>=2.6', 'torchvision'] + read_requirements('requirements/runtime.txt'),
    extras_require={
        'lite': read_requirements('requirements/lite.txt'),
        'det': read_requirements('requirements/detection.txt'),
        'tests': read_requirements('requirements/tests.txt'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
