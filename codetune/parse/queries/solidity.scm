; Definitions that become segments: @definition.<kind> on the node, @name on its name.
; Libraries count as contracts. Constructors, fallback and receive have no name node; the code names them.

(contract_declaration name: (identifier) @name) @definition.contract

(library_declaration name: (identifier) @name) @definition.contract

(interface_declaration name: (identifier) @name) @definition.interface

(struct_declaration name: (identifier) @name) @definition.struct

(enum_declaration name: (identifier) @name) @definition.enum

(event_definition name: (identifier) @name) @definition.event

(error_declaration name: (identifier) @name) @definition.error

(modifier_definition name: (identifier) @name) @definition.modifier

(function_definition name: (identifier) @name) @definition.function

(constructor_definition) @definition.function

(fallback_receive_definition) @definition.function
