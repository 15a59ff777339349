from setuptools import find_packages, setup

setup(
    name="nano-workers",
    version="0.1.0",
    description="Many Cloudflare-Workers-style JavaScript apps in one Twisted process, one V8 isolate each.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_packages(exclude=["bench", "docs", "examples"]) + ["twisted.plugins"],
    package_data={
        "nano.isolate": ["js/*.js", "js/*.md"],
        "nano.streams": ["js/*.js"],
        "nano.test": ["apps/*/*", "apps/*/*/*"],
        "nano.test.compat": ["known.json", "apps/*/cases.json", "apps/*/src/*"],
    },
    include_package_data=True,
    install_requires=[
        "twisted>=24.7,<27",
        "treq>=24.9,<27",
        "brotli>=1.2",
        "mini-racer==0.14.1",
        "zope.interface>=6,<9",
        "attrs>=23.1",
        "txaio>=23.1",
        "prometheus_client>=0.20,<1",
        "tree-sitter>=0.23,<0.27",
        "tree-sitter-javascript>=0.23,<0.26",
        "tree-sitter-typescript>=0.23,<0.24",
        "cryptography>=42,<52",
    ],
    extras_require={"dev": ["tox>=4"]},
    zip_safe=False,
)
