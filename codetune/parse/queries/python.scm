; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; Functions inside a class become methods in segment_rules.py; decorators come in via decorated_definition.

(class_definition name: (identifier) @name) @definition.class

(function_definition name: (identifier) @name) @definition.function
