; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; Shared by the typescript and tsx grammars. When several patterns capture one node, the earliest wins.

(class_declaration name: (_) @name) @definition.class

(abstract_class_declaration name: (_) @name) @definition.class

(export_statement value: (class) @definition.class)

(interface_declaration name: (_) @name) @definition.interface

(enum_declaration name: (_) @name) @definition.enum

(type_alias_declaration name: (_) @name) @definition.type

(internal_module name: (_) @name) @definition.module

(function_declaration name: (identifier) @name) @definition.function

(generator_function_declaration name: (identifier) @name) @definition.function

(export_statement value: [(function_expression) (arrow_function) (generator_function)] @definition.function)

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(method_definition name: (_) @name) @definition.method

(public_field_definition
  name: (_) @name
  value: [(arrow_function) (function_expression)]) @definition.method
