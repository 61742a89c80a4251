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
    install_requires=['torch', 'torchvision', 'mmcv>=2.0.0,<2.2.0'] + read_requirements('requirements/runtime.txt'),
    extras_require={'tests': read_requirements('requirements/tests.txt')},
    license='Apache License 2.0',
    zip_safe=False,
)
