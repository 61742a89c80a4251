"""Write one named section of docs/benchmarks.md, leaving the other sections as they are."""
import os.path as osp

HEADER = '# Benchmarks\n\nEvery table below was written by the script named in its command line.\n'


def write_section(path: str, key: str, title: str, body: str) -> None:
    start, end = f'<!-- {key}:start -->', f'<!-- {key}:end -->'
    text = open(path).read() if osp.isfile(path) else HEADER
    section = f'{start}\n## {title}\n\n{body}\n{end}'
    if start in text and end in text:
        text = text[:text.index(start)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip('\n') + '\n\n' + section + '\n'
    with open(path, 'w') as f:
        f.write(text)
