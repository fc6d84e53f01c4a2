from ._docs import render

print(render(), end="")
