"""Check Python snippets against the jsii-generated Python module without importing it.

Importing the generated module needs the jsii Python runtime, aws-cdk-lib and constructs from PyPI, which this
machine cannot reach. So this reads the generated ``__init__.py`` with ``ast`` and checks each snippet statically:

- the snippet is valid Python;
- every name imported from the module is a class the module defines;
- every call of such a class, or of one of its class methods, uses parameter names the generated signature has,
  passes every required keyword, and passes no more positional arguments than the signature takes.

Types are not checked (that needs the runtime). Names from other modules (``aws_cdk``) are not checked.

Usage: python3 jsii-check-python.py <generated __init__.py> <module name> <snippet.py>...
Prints one line per problem and exits 1 if there is any.
"""
import ast
import sys


class Signature:
    def __init__(self, fn: ast.FunctionDef, skip_first: bool):
        args = fn.args
        positional = list(args.posonlyargs) + list(args.args)
        if skip_first:
            positional = positional[1:]  # self / cls
        self.positional = [a.arg for a in positional]
        self.keyword_only = [a.arg for a in args.kwonlyargs]
        # kw_defaults holds None for a keyword-only parameter without a default
        self.required_keywords = [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
        self.has_varargs = args.vararg is not None
        self.has_varkw = args.kwarg is not None

    def problems(self, call: ast.Call, label: str) -> list:
        found = []
        if not self.has_varargs and len(call.args) > len(self.positional):
            found.append(f"{label}: {len(call.args)} positional arguments, the signature takes {len(self.positional)}")
        given = set()
        for kw in call.keywords:
            if kw.arg is None:
                return found  # **kwargs: the names are not known statically
            given.add(kw.arg)
            if kw.arg not in self.positional and kw.arg not in self.keyword_only and not self.has_varkw:
                known = ", ".join(self.positional + self.keyword_only) or "none"
                found.append(f"{label}: no parameter '{kw.arg}' (parameters: {known})")
        for name in self.required_keywords:
            if name not in given:
                found.append(f"{label}: required keyword '{name}' missing")
        return found


def module_classes(init_file: str) -> dict:
    tree = ast.parse(open(init_file, encoding="utf-8").read(), init_file)
    classes = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        members = {}
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                decorators = {ast.unparse(d) for d in item.decorator_list}
                is_static = "builtins.staticmethod" in decorators or "staticmethod" in decorators
                members[item.name] = Signature(item, skip_first=not is_static)
        classes[node.name] = members
    return classes


def check_snippet(path: str, module: str, classes: dict) -> list:
    source = open(path, encoding="utf-8").read()
    try:
        tree = ast.parse(source, path)
    except SyntaxError as error:
        return [f"{path}:{error.lineno}: syntax error: {error.msg}"]
    problems = []
    imported = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == module:
            for alias in node.names:
                if alias.name not in classes:
                    problems.append(f"{path}:{node.lineno}: '{module}' has no '{alias.name}'")
                else:
                    imported[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        target = None
        if isinstance(node.func, ast.Name) and node.func.id in imported:
            cls = imported[node.func.id]
            target = (cls, "__init__", cls)
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.value.id in imported:
            cls = imported[node.func.value.id]
            if node.func.attr not in classes[cls]:
                problems.append(f"{path}:{node.lineno}: {cls} has no method '{node.func.attr}'")
                continue
            target = (cls, node.func.attr, f"{cls}.{node.func.attr}")
        if target is None:
            continue
        cls, member, label = target
        signature = classes[cls].get(member)
        if signature is None:
            continue  # a class without its own __init__ (an abstract base): nothing to check
        problems.extend(f"{path}:{node.lineno}: {p}" for p in signature.problems(node, label))
    if not imported:
        problems.append(f"{path}: imports nothing from '{module}'")
    return problems


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    init_file, module, snippets = sys.argv[1], sys.argv[2], sys.argv[3:]
    classes = module_classes(init_file)
    problems = []
    for snippet in snippets:
        problems.extend(check_snippet(snippet, module, classes))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
