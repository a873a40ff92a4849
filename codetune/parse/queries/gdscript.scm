; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; Functions of an inner class become methods; top-level functions belong to the script's class_name.

(class_definition name: (name) @name) @definition.class

(signal_statement name: (name) @name) @definition.signal

(function_definition name: (name) @name) @definition.function
