; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; When several patterns capture one node, the earliest pattern wins.

(class_declaration name: (_) @name) @definition.class

(export_statement value: (class) @definition.class)

(function_declaration name: (identifier) @name) @definition.function

(generator_function_declaration name: (identifier) @name) @definition.function

(export_statement value: [(function_expression) (arrow_function) (generator_function)] @definition.function)

(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @definition.function

(method_definition name: (_) @name) @definition.method

(field_definition
  property: (_) @name
  value: [(arrow_function) (function_expression)]) @definition.method
